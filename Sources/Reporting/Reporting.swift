// Reporting: tables and plots from solver results.
