"""Maps the top-level folders onto the ``dsegym`` package (the rest is in pyproject)."""

from setuptools import find_namespace_packages, setup

# Each subpackage lives in a top-level folder named after its concept.
FOLDERS = {
    "dsegym": "dsegym",
    "dsegym.costmodels": "costmodels",
    "dsegym.envs": "envs",
    "dsegym.search": "search",
    "dsegym.experiments": "experiments",
}

packages, package_dir = [], {}
for package, folder in FOLDERS.items():
    package_dir[package] = folder
    packages.append(package)
    # Namespace packages too: folders of data files (workloads, tables, DRAM devices,
    # example configs) ship with the wheel as package data, read via importlib.resources.
    for sub in find_namespace_packages(folder, exclude=["*__pycache__*", "__pycache__"]):
        packages.append(f"{package}.{sub}")
        package_dir[f"{package}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"

setup(packages=packages, package_dir=package_dir)
