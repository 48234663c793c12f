// the histogram window is a plot: read its values back
run("Histogram");
Plot.getValues(x, y);
peak = 0;
for (i = 0; i < y.length; i++) {
    if (y[i] > y[peak]) peak = i;
}
print("bins: " + x.length + ", most common value: " + x[peak] + " (" + y[peak] + " pixels)");
