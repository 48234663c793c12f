// a window title that does not exist: ImageJ says so and stops the macro
run("Duplicate...", "title=Median_1");
print("made " + getTitle());
selectWindow("Median_2");
run("Invert");
print("never printed");
