// which windows are open: images, and the Log, Results and table windows
print("first line");
run("Measure");
Table.create("Mine");
Table.set("a", 0, 1, "Mine");
Table.update("Mine");
run("Duplicate...", "title=copy");
titles = getList("window.titles");
Array.sort(titles);
for (i = 0; i < titles.length; i++) print("window: " + titles[i]);
images = getList("image.titles");
for (i = 0; i < images.length; i++) print("image: " + images[i]);
selectWindow("Log");
print("type: " + getInfo("window.type") + ", title: " + getInfo("window.title"));
