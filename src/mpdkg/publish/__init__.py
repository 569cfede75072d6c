"""Publishing: VoID/DCAT, releases, diffs between builds, pushes to triple stores, statistics,
coverage and the generated documentation.
"""
