// asks the user to draw a region
print("please draw");
setTool("rectangle");
waitForUser("Draw a rectangle around the spot, then click OK");
getSelectionBounds(x, y, w, h);
print(x + " " + y);
