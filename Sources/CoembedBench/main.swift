print("coembed-bench")
