"""Chemistry: elements, formulas, species data and reactions."""

from polyflow.chem.elements import atomic_weight, element_table
from polyflow.chem.formula import Formula, parse_formula
from polyflow.chem.reactions import Reaction, parse_reaction
from polyflow.chem.species import Species, SpeciesDatabase, load_database

__all__ = [
    "Formula",
    "Reaction",
    "Species",
    "SpeciesDatabase",
    "atomic_weight",
    "element_table",
    "load_database",
    "parse_formula",
    "parse_reaction",
]
