// draw a plot, show it, read the values back
x = Array.getSequence(20);
y = newArray(20);
for (i = 0; i < 20; i++)
    y[i] = sin(i / 3) * 10;
Plot.create("Sine", "x", "sin(x/3)*10", x, y);
Plot.show();
Plot.getValues(px, py);
print("points: " + px.length + ", y[5] = " + d2s(py[5], 4));
