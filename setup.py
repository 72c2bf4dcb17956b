"""aga-ref: reference implementation of Altruistic Gradient Adjustment (Li et al., NeurIPS 2024)."""

from setuptools import find_packages, setup

setup(
    name="aga-ref",
    version="0.1.0",
    description="Pure-NumPy reference implementation of Altruistic Gradient Adjustment (AgA)",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    license_files=["LICENSE"],
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    python_requires=">=3.10",
    packages=find_packages(include=["aga_ref", "aga_ref.*", "games", "games.*", "figures"]),
    package_data={"aga_ref": ["data/*.json"]},
    install_requires=[
        "numpy>=1.24",
        "autograd>=1.7",
        "scipy>=1.12",  # gmres(rtol=...)
        "matplotlib>=3.7",
        "jsonschema>=4.18",  # validates the conformance data and submissions (aga-ref verify)
        "gymnasium>=1.0",  # the gridworld is a gymnasium.vector.VectorEnv
        "threadpoolctl>=3",  # one BLAS thread by default in train, family, reproduce
    ],  # fmt: skip
    extras_require={
        "tensorboard": ["tensorboardx>=2.6"],  # aga-ref train writes TensorBoard scalars
        "torch": ["torch>=2.1"],  # aga_ref.conformance.torch (the kit's cases as tensors)
        "jax": ["jax>=0.4.20"],  # aga_ref.conformance.jax
        "test": [
            "pytest>=7",
            "hypothesis>=6.80",
            "ruff>=0.5",
            "pettingzoo>=1.24",
            "supersuit>=3.9",
            "tensorboardx>=2.6",
            "pyyaml>=6",  # tests/test_citation.py reads CITATION.cff
        ],
    },
    entry_points={"console_scripts": ["aga-ref = figures.cli:main"]},
)
