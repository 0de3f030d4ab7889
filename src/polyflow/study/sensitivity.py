"""placeholder"""
def sensitivities(*a, **k):
    raise NotImplementedError
