# SPDX-License-Identifier: MIT
"""Every module here registers its scenarios with smx_e2e.suite.scenario."""
import importlib
import pkgutil

for _m in pkgutil.iter_modules(__path__):
    importlib.import_module(__name__ + "." + _m.name)
