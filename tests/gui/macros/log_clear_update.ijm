// clear the Log and overwrite its last line, as progress messages do
print("this line is cleared");
print("\\Clear");
print("start");
for (i = 1; i <= 5; i++) {
    print("\\Update:step " + i + " of 5");
}
print("done");
