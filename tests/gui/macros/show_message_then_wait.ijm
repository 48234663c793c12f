// two steps of instructions written on one line
print("start");
showMessage("Step 1: look at the image"); waitForUser("Step 2: draw a line, then OK");
print("never");
