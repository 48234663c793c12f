// paint shapes with the foreground colour
newImage("canvas", "RGB black", 120, 80, 1);
setForegroundColor(255, 128, 0);
makeRectangle(10, 10, 40, 30);
run("Fill", "slice");
setForegroundColor(0, 200, 255);
makeOval(60, 20, 50, 50);
run("Fill", "slice");
run("Select None");
newImage("gray", "8-bit black", 50, 50, 1);
setForegroundColor(200, 200, 200);
makeRectangle(5, 5, 20, 20);
run("Fill", "slice");
run("Select None");
