// a typo in a variable name stops the macro at its line
radius = 3;
run("Duplicate...", "title=work");
run("Median...", "radius=" + radius);
print("filtered");
run("Gaussian Blur...", "sigma=" + raduis);
print("never printed");
