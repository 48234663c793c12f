// rename the image, then read its title back
title = getTitle();
print("opened: " + title);
rename("raw");
print("now: " + getTitle());
run("Duplicate...", " ");
print("copy: " + getTitle());
selectWindow("raw");
run("Invert");
print("selected: " + getTitle())
