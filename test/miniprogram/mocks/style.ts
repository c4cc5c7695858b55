// Stylesheets have no behaviour to test; imports of *.css resolve here.
export {};
