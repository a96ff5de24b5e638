"""The built-in measure families, one module each: parameters, figures and runner of each
family (``measures.registry`` loads them). These modules stay light: the measure itself is
imported only when a family runs."""
