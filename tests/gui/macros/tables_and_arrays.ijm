// a table of our own and an array shown as a table
Table.create("Radii");
radii = newArray(1, 2, 4, 8);
for (i = 0; i < radii.length; i++) {
    Table.set("radius", i, radii[i]);
    Table.set("area", i, PI * radii[i] * radii[i]);
    Table.set("name", i, "r" + radii[i]);
}
Table.update;
squares = newArray(0, 1, 4, 9, 16);
Array.show("squares", squares);
print(Table.size("Radii") + " rows");
