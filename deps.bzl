"""isoae's external repositories, for isoae itself and for projects that reuse it.

A Bazel project that depends on isoae adds to its WORKSPACE:

    local_repository(name = "isoae", path = "/path/to/isoae")

    load("@isoae//:deps.bzl", "isoae_dependencies")

    isoae_dependencies()

and then uses the public targets, e.g. "@isoae//core:networks" (see
examples/consumer/). Everything resolves from the local machine: LibTorch
(Debian's libtorch-dev, or LIBTORCH_HOME), Eigen, and offline stand-ins for
the repositories Bazel 4.2 would otherwise download. The other libraries
(Abseil, glog, gflags, GoogleTest, zlib, ...) are Debian packages that
tools/setup.sh installs, linked through @isoae//third_party.
"""

load("//third_party:libtorch.bzl", "libtorch_repository")
load("//third_party:offline.bzl", "offline_stand_in")
load("//third_party:system_headers.bzl", "system_headers_repository")

def _maybe(rule, name, **kwargs):
    if not native.existing_rule(name):
        rule(name = name, **kwargs)

def isoae_dependencies():
    """Declares @libtorch, @eigen and the offline @rules_cc/@rules_java/@remote_coverage_tools.

    Repositories the calling WORKSPACE has already declared are left alone.
    """
    _maybe(offline_stand_in, "rules_cc", kind = "rules_cc")
    _maybe(offline_stand_in, "rules_java", kind = "rules_java")
    _maybe(offline_stand_in, "remote_coverage_tools", kind = "remote_coverage_tools")

    # LibTorch: Debian's libtorch-dev by default; set LIBTORCH_HOME to the
    # root of another LibTorch (e.g. a CUDA build with include/ and lib/).
    _maybe(libtorch_repository, "libtorch")

    # Eigen is header-only and lives under /usr/include/eigen3 on Debian.
    _maybe(
        system_headers_repository,
        "eigen",
        include_dir = "/usr/include/eigen3",
        subdirs = ["Eigen", "unsupported"],
    )
