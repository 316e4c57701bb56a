"""The suite uses only the public testing kit, as a plugin author would."""
