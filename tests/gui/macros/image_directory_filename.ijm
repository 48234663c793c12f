// where the opened image came from
dir = getDirectory("image");
name = getInfo("image.filename");
print("file: " + name);
print("same folder: " + File.exists(dir + name));
print("title: " + getTitle() + ", " + File.nameWithoutExtension);
