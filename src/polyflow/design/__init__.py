"""Design calculations that size units from targets, then verify them by simulation."""

from polyflow.design.ree import CascadeDesign, design_cascade, reo_purity, verify_design

__all__ = ["CascadeDesign", "design_cascade", "reo_purity", "verify_design"]
