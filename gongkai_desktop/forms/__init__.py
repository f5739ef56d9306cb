"""Form-definition engine: load → schema check → semantic checks → FormSpec objects."""
