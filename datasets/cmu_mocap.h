// CMU motion capture (http://mocap.cs.cmu.edu/, ASF skeleton + AMC motion
// files) as per-frame pose vectors, preprocessed as in IRVAE appendix D.2
// (after FMVAE): the root's position and orientation are removed and the
// nearly static joints (clavicles, fingers) dropped. For the standard CMU
// skeleton (62 degrees of freedom) that leaves 50:
//   62 - root 6 - lclavicle 2 - rclavicle 2 - lfingers 1 - rfingers 1 = 50.
// Values are joint angles divided by 180 degrees (pi for radian files), so they
// lie in [-1, 1], the range of the paper's tanh decoder output.
//
// The four classes (walking, jogging, balancing, punching) come from a
// user-supplied trial list, one trial per line:
//     <class> <amc path> [<asf path>]
// paths relative to the data directory; without an ASF path the skeleton is
// <amc dir>/<subject>.asf, the subject being the AMC name up to its first
// '_' (CMU's 02_01.amc -> 02.asf). '#' starts a comment. Classes are numbered
// in order of first appearance. Neither paper lists its trials; see
// docs/datasets.md.
//
// Errors: kNotFound for missing files (naming them); kDataLoss naming file
// and line for malformed ASF/AMC/list lines, a non-numeric AMC value, an
// unknown bone, a wrong value count, a frame lacking a bone, trials with
// different pose dimensions; kInvalidArgument for bad options.
#ifndef ISOAE_DATASETS_CMU_MOCAP_H_
#define ISOAE_DATASETS_CMU_MOCAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/dataset.h"

namespace isoae {

inline constexpr char kCmuProvider[] =
    "CMU motion capture ASF/AMC files from http://mocap.cs.cmu.edu/ and a "
    "trial list (--trial_list); see docs/datasets.md";

struct AsfBone {
  std::string name;
  std::vector<std::string> dofs;  // e.g. {"rx", "ry", "rz"}; empty: fixed
};

struct AsfSkeleton {
  std::vector<AsfBone> bones;  // "root" first, then :bonedata order
  bool degrees = true;
};

absl::StatusOr<AsfSkeleton> ParseAsf(const std::string& text,
                                     const std::string& path);

struct MocapOptions {
  std::vector<std::string> drop_bones = {"root", "lclavicle", "rclavicle",
                                         "lfingers", "rfingers"};
  int frame_step = 1;  // keep every frame_step-th frame of each trial
};

// "<bone>.<dof>" for every kept degree of freedom, in feature order.
std::vector<std::string> PoseDimensionNames(const AsfSkeleton& skeleton,
                                            const MocapOptions& options);

// Frames x PoseDimensionNames(...).size() values, row-major, scaled to
// angle / 180 deg. `frames` receives the number of kept frames.
absl::StatusOr<std::vector<float>> ParseAmc(const std::string& text,
                                            const std::string& path,
                                            const AsfSkeleton& skeleton,
                                            const MocapOptions& options,
                                            int64_t* frames);

struct MocapTrial {
  std::string class_name;
  std::string amc_path;  // resolved against the data directory
  std::string asf_path;
};

absl::StatusOr<std::vector<MocapTrial>> ParseTrialList(
    const std::string& text, const std::string& path,
    const std::string& data_dir);

// All kept frames of all trials, item_shape {D}, float32, labels by class.
absl::StatusOr<Dataset> LoadCmuMocap(const std::string& data_dir,
                                     const std::string& trial_list_path,
                                     const MocapOptions& options = {});

}  // namespace isoae

#endif  // ISOAE_DATASETS_CMU_MOCAP_H_
