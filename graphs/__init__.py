"""dispel4py workflow graphs of krigflow (one module per graph, each with one ``graph``)."""
