"""Repository rule for LibTorch, read from the local machine.

By default it uses Debian's libtorch-dev (headers under /usr/include, libraries
under /usr/lib/x86_64-linux-gnu). Setting LIBTORCH_HOME to the root of another
LibTorch distribution (the layout of the official zip: include/, lib/) switches
every target in the project to it, e.g. a CUDA build:

    LIBTORCH_HOME=/opt/libtorch-cu121 bazel build //...

When the chosen LibTorch has libtorch_cuda.so it is linked with --no-as-needed
so that the CUDA kernels register at start-up.
"""

_DEBIAN_INCLUDE = "/usr/include"
_DEBIAN_LIB = "/usr/lib/x86_64-linux-gnu"

def _libtorch_impl(ctx):
    home = ctx.os.environ.get("LIBTORCH_HOME", "")
    if home in ("", "/usr"):
        include_root = ctx.path(_DEBIAN_INCLUDE)
        lib_dir = _DEBIAN_LIB
    else:
        include_root = ctx.path(home + "/include")
        lib_dir = home + "/lib"

    torch_header = include_root.get_child("torch").get_child("csrc").get_child("api") \
        .get_child("include").get_child("torch").get_child("torch.h")
    if not torch_header.exists:
        fail(("LibTorch headers not found under %s (looked for torch/csrc/api/include/" +
              "torch/torch.h). Run tools/setup.sh to install Debian's libtorch-dev, or " +
              "point LIBTORCH_HOME at a LibTorch distribution.") % include_root)
    if not ctx.path(lib_dir + "/libtorch_cpu.so").exists:
        fail("libtorch_cpu.so not found in %s (LIBTORCH_HOME=%s)" % (lib_dir, home))

    for sub in ["ATen", "c10", "caffe2", "torch"]:
        child = include_root.get_child(sub)
        if child.exists:
            ctx.symlink(child, "include/" + sub)

    has_cuda = ctx.path(lib_dir + "/libtorch_cuda.so").exists
    linkopts = ["-L" + lib_dir, "-Wl,-rpath," + lib_dir]
    if has_cuda:
        linkopts += ["-Wl,--no-as-needed", "-ltorch_cuda", "-Wl,--as-needed"]
    linkopts += ["-ltorch", "-ltorch_cpu", "-lc10"]
    if has_cuda:
        linkopts.append("-lc10_cuda")

    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)
    ctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])

# LibTorch from {home}; CUDA: {cuda}.
cc_library(
    name = "torch",
    hdrs = glob(["include/**/*.h", "include/**/*.hpp", "include/**/*.cuh"]),
    includes = ["include", "include/torch/csrc/api/include"],
    linkopts = {linkopts},
    defines = {defines},
)
""".format(
        home = home or "Debian (/usr)",
        cuda = "yes" if has_cuda else "no",
        linkopts = repr(linkopts),
        defines = repr(["ISOAE_LIBTORCH_CUDA"] if has_cuda else []),
    ))

libtorch_repository = repository_rule(
    implementation = _libtorch_impl,
    environ = ["LIBTORCH_HOME"],
    local = True,
)
