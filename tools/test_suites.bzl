"""package_test_suites(): the per-package suites the top-level BUILD gathers."""

def package_test_suites():
    """Declares :fast_tests (untagged tests) and :real_data_tests (tag real_data)."""
    native.test_suite(
        name = "fast_tests",
        tags = ["-real_data", "-fuzz", "-manual"],
    )
    native.test_suite(
        name = "real_data_tests",
        tags = ["real_data"],
    )
