"""Hydra plugins of trisim: the sweeper that launches a planned sweep, and the SLURM launcher that
reports each job on its own (Hydra finds plugins in the ``hydra_plugins`` namespace)."""
