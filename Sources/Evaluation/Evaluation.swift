import LinearAlgebra
import DataIO
