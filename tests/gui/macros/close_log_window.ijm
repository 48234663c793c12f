// read the Log, then close its window
print("a");
print("b");
text = getInfo("log");
print("log has " + lengthOf(text) + " characters");
selectWindow("Log");
run("Close");
print("after close");
