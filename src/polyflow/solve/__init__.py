"""Assembly of the plant system and its sparse Newton solution."""
