// Laplacian by Process > Filters > Convolve, kernel typed as text
run("Duplicate...", "title=laplace");
run("32-bit");
run("Convolve...", "text1=[0 -1 0\n-1 4 -1\n0 -1 0\n] normalize");
getMinAndMax(min, max);
print(min + " .. " + max);
