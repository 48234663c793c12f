// open the second channel that should sit beside the image (it does not)
dir = getDirectory("image");
print("looking in the image's folder");
open(dir + "C2-" + getTitle());
print("never printed");
