// build the Results table by hand, with text and numbers
run("Clear Results");
names = newArray("top left", "centre", "bottom right");
xs = newArray(10, 128, 240);
for (i = 0; i < names.length; i++) {
    setResult("Where", i, names[i]);
    setResult("Value", i, getPixel(xs[i], xs[i]));
    setResult("Half", i, getPixel(xs[i], xs[i]) / 2);
}
updateResults();
print(nResults + " rows, first: " + getResultString("Where", 0));
