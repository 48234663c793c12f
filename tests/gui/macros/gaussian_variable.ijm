// a variable in the options with &
s = 1.5;
run("Duplicate...", "title=blur");
run("32-bit");
run("Gaussian Blur...", "sigma=&s");
getStatistics(area, mean, min, max);
print("sigma " + s + ": max " + max);
