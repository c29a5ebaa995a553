"""The guide's Keras models reach their accuracy targets on the real datasets shipped with the package."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples"))

import keras_workflow  # noqa: E402


def test_sequential_digits_accuracy_at_least_0_97():
    assert keras_workflow.digits_accuracy() >= 0.97


def test_functional_breast_cancer_auc_at_least_0_98():
    assert keras_workflow.breast_cancer_auc() >= 0.98
