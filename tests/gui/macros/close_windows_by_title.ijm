// make copies, then close some of them by title
orig = getTitle();
for (i = 1; i <= 3; i++) {
    selectWindow(orig);
    run("Duplicate...", "title=copy" + i);
}
newImage("keep", "16-bit ramp", 32, 32, 1);
close("copy*");
print("open now: " + nImages + ", copy2 open? " + isOpen("copy2") + ", keep open? " + isOpen("keep"));
selectWindow(orig);
close();
print("left: " + nImages + " (" + getTitle() + ")");
