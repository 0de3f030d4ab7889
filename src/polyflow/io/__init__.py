"""Reading flowsheet files and feed specifications."""
