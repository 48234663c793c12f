// stop early with a message when the image is not 8-bit
print("checking " + getTitle());
if (bitDepth() == 8) {
    run("Duplicate...", "title=checked");
    exit("8-bit image: nothing to convert");
}
run("8-bit");
print("converted");
