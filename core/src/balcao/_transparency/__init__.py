"""Public figures: the transparency page and the annual management report share them."""
