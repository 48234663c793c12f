// statistics inside different selections
makeOval(60, 60, 100, 80);
getStatistics(area, mean, min, max, std);
print("oval: area=" + area + " mean=" + d2s(mean, 4) + " std=" + d2s(std, 4));
makeRectangle(0, 0, 128, 128);
getStatistics(area, mean, min, max);
print("rect: area=" + area + " mean=" + d2s(mean, 4) + " min=" + min + " max=" + max);
getSelectionBounds(x, y, w, h);
print("bounds " + x + "," + y + " " + w + "x" + h);
run("Select None");
getStatistics(area, mean);
print("all: " + area + " " + mean);
