#include "datasets/cmu_mocap.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"
#include "datasets/file_io.h"
#include "glog/logging.h"

namespace isoae {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<absl::string_view> Tokens(absl::string_view line) {
  return absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
}

bool Dropped(const MocapOptions& o, const std::string& bone) {
  return std::find(o.drop_bones.begin(), o.drop_bones.end(), bone) !=
         o.drop_bones.end();
}

}  // namespace

absl::StatusOr<AsfSkeleton> ParseAsf(const std::string& text,
                                     const std::string& path) {
  AsfSkeleton s;
  std::string section;
  bool in_bone = false;
  AsfBone bone;
  bool have_root = false;
  std::set<std::string> names;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    const std::vector<absl::string_view> t = Tokens(line);
    if (t.empty() || t[0][0] == '#') continue;
    const auto bad = [&](const std::string& what) {
      return absl::DataLossError(
          absl::StrCat(path, " line ", line_no, ": ", what));
    };
    if (t[0][0] == ':') {
      if (in_bone) return bad("section starts inside a bone's begin/end");
      section = std::string(t[0]);
      continue;
    }
    if (section == ":units" && t[0] == "angle" && t.size() >= 2) {
      const std::string unit = absl::AsciiStrToLower(t[1]);
      if (unit != "deg" && unit != "rad") {
        return bad(absl::StrCat("unknown angle unit '", t[1], "'"));
      }
      s.degrees = unit == "deg";
    } else if (section == ":root" && t[0] == "order") {
      AsfBone root{"root", {}};
      for (size_t k = 1; k < t.size(); ++k) {
        root.dofs.push_back(absl::AsciiStrToLower(t[k]));
      }
      s.bones.insert(s.bones.begin(), root);
      names.insert("root");
      have_root = true;
    } else if (section == ":bonedata") {
      if (t[0] == "begin") {
        if (in_bone) return bad("'begin' inside a bone");
        in_bone = true;
        bone = AsfBone{};
      } else if (t[0] == "end") {
        if (!in_bone) return bad("'end' without 'begin'");
        if (bone.name.empty()) return bad("bone without a name");
        if (!names.insert(bone.name).second) {
          return bad(absl::StrCat("bone '", bone.name, "' defined twice"));
        }
        s.bones.push_back(bone);
        in_bone = false;
      } else if (in_bone && t[0] == "name" && t.size() == 2) {
        bone.name = std::string(t[1]);
      } else if (in_bone && t[0] == "dof") {
        for (size_t k = 1; k < t.size(); ++k) {
          const std::string d = absl::AsciiStrToLower(t[k]);
          if (d != "rx" && d != "ry" && d != "rz" && d != "tx" && d != "ty" &&
              d != "tz" && d != "l") {
            return bad(absl::StrCat("unknown degree of freedom '", t[k], "'"));
          }
          bone.dofs.push_back(d);
        }
      }
    }
  }
  if (in_bone) {
    return absl::DataLossError(
        absl::StrCat(path, ": ends inside a bone's begin/end"));
  }
  if (!have_root) {
    return absl::DataLossError(
        absl::StrCat(path, ": no ':root' section with an 'order' line"));
  }
  if (s.bones.size() < 2) {
    return absl::DataLossError(absl::StrCat(path, ": no bones in ':bonedata'"));
  }
  return s;
}

std::vector<std::string> PoseDimensionNames(const AsfSkeleton& skeleton,
                                            const MocapOptions& options) {
  std::vector<std::string> out;
  for (const AsfBone& b : skeleton.bones) {
    if (Dropped(options, b.name)) continue;
    for (const std::string& d : b.dofs) out.push_back(absl::StrCat(b.name, ".", d));
  }
  return out;
}

absl::StatusOr<std::vector<float>> ParseAmc(const std::string& text,
                                            const std::string& path,
                                            const AsfSkeleton& skeleton,
                                            const MocapOptions& options,
                                            int64_t* frames) {
  if (options.frame_step < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "frame_step must be >= 1, got ", options.frame_step));
  }
  // Bone -> (index in skeleton, offset of its first kept value or -1).
  struct Slot {
    size_t bone;
    int64_t offset;
  };
  std::unordered_map<std::string, Slot> slots;
  int64_t dim = 0;
  size_t needed = 0;  // bones with dofs, which every frame must list
  for (size_t i = 0; i < skeleton.bones.size(); ++i) {
    const AsfBone& b = skeleton.bones[i];
    const bool keep = !Dropped(options, b.name);
    slots[b.name] = Slot{i, keep && !b.dofs.empty() ? dim : -1};
    if (keep) dim += static_cast<int64_t>(b.dofs.size());
    if (!b.dofs.empty()) ++needed;
  }
  const double scale = skeleton.degrees ? 1.0 / 180.0 : 1.0 / kPi;
  std::vector<float> out;
  std::vector<float> frame(dim);
  std::vector<bool> seen(skeleton.bones.size());
  size_t seen_count = 0;
  int64_t frame_index = -1;  // running count of frames in the file
  int frame_line = 0;
  int64_t kept = 0;
  bool in_frame = false;
  const auto finish = [&]() -> absl::Status {
    if (!in_frame) return absl::OkStatus();
    if (seen_count != needed) {
      for (size_t i = 0; i < skeleton.bones.size(); ++i) {
        if (!seen[i] && !skeleton.bones[i].dofs.empty()) {
          return absl::DataLossError(absl::StrCat(
              path, " line ", frame_line, ": frame ", frame_index + 1,
              " lacks bone '", skeleton.bones[i].name, "'"));
        }
      }
    }
    if (frame_index % options.frame_step == 0) {
      out.insert(out.end(), frame.begin(), frame.end());
      ++kept;
    }
    return absl::OkStatus();
  };
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    const std::vector<absl::string_view> t = Tokens(line);
    if (t.empty() || t[0][0] == '#' || t[0][0] == ':') continue;
    int64_t number = 0;
    if (t.size() == 1 && absl::SimpleAtoi(t[0], &number)) {
      ISOAE_RETURN_IF_ERROR(finish());
      in_frame = true;
      ++frame_index;
      frame_line = line_no;
      std::fill(seen.begin(), seen.end(), false);
      seen_count = 0;
      continue;
    }
    const auto bad = [&](const std::string& what) {
      return absl::DataLossError(
          absl::StrCat(path, " line ", line_no, ": ", what));
    };
    if (!in_frame) return bad("bone values before the first frame number");
    const auto it = slots.find(std::string(t[0]));
    if (it == slots.end()) {
      return bad(absl::StrCat("unknown bone '", t[0], "'"));
    }
    const AsfBone& b = skeleton.bones[it->second.bone];
    if (t.size() - 1 != b.dofs.size()) {
      return bad(absl::StrCat("bone '", b.name, "' has ", t.size() - 1,
                              " values, the skeleton gives it ",
                              b.dofs.size()));
    }
    if (seen[it->second.bone]) {
      return bad(absl::StrCat("bone '", b.name, "' twice in frame ",
                              frame_index + 1));
    }
    seen[it->second.bone] = true;
    ++seen_count;
    for (size_t k = 1; k < t.size(); ++k) {
      double v = 0;
      const auto [ptr, ec] = std::from_chars(t[k].data(), t[k].data() + t[k].size(), v);
      if (ec != std::errc() || ptr != t[k].data() + t[k].size() ||
          !std::isfinite(v)) {
        return bad(absl::StrCat("non-numeric value '", t[k], "' for bone '",
                                b.name, "'"));
      }
      if (it->second.offset >= 0) {
        frame[it->second.offset + k - 1] = static_cast<float>(v * scale);
      }
    }
  }
  ISOAE_RETURN_IF_ERROR(finish());
  if (kept == 0) {
    return absl::DataLossError(absl::StrCat(path, ": no frames"));
  }
  if (frames != nullptr) *frames = kept;
  return out;
}

absl::StatusOr<std::vector<MocapTrial>> ParseTrialList(
    const std::string& text, const std::string& path,
    const std::string& data_dir) {
  std::vector<MocapTrial> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    const std::vector<absl::string_view> t = Tokens(line);
    if (t.empty()) continue;
    if (t.size() != 2 && t.size() != 3) {
      return absl::DataLossError(absl::StrCat(
          path, " line ", line_no,
          ": expected '<class> <amc path> [<asf path>]', found ", t.size(),
          " fields"));
    }
    MocapTrial trial;
    trial.class_name = std::string(t[0]);
    trial.amc_path = JoinPath(data_dir, std::string(t[1]));
    if (t.size() == 3) {
      trial.asf_path = JoinPath(data_dir, std::string(t[2]));
    } else {
      const size_t slash = trial.amc_path.rfind('/');
      const std::string dir =
          slash == std::string::npos ? "" : trial.amc_path.substr(0, slash + 1);
      const std::string base = slash == std::string::npos
                                   ? trial.amc_path
                                   : trial.amc_path.substr(slash + 1);
      const size_t us = base.find('_');
      if (us == std::string::npos || us == 0) {
        return absl::DataLossError(absl::StrCat(
            path, " line ", line_no, ": cannot infer the skeleton of '", t[1],
            "' (name it <subject>_<trial>.amc or give the ASF path)"));
      }
      trial.asf_path = absl::StrCat(dir, base.substr(0, us), ".asf");
    }
    out.push_back(trial);
  }
  if (out.empty()) {
    return absl::DataLossError(absl::StrCat(path, ": no trials listed"));
  }
  return out;
}

absl::StatusOr<Dataset> LoadCmuMocap(const std::string& data_dir,
                                     const std::string& trial_list_path,
                                     const MocapOptions& options) {
  if (!IsDirectory(data_dir)) return MissingPathError(data_dir, kCmuProvider);
  ISOAE_ASSIGN_OR_RETURN(const std::string list_text,
                         ReadFileBytes(trial_list_path, kCmuProvider));
  ISOAE_ASSIGN_OR_RETURN(
      const std::vector<MocapTrial> trials,
      ParseTrialList(list_text, trial_list_path, data_dir));
  Dataset d;
  d.name = "cmu_mocap/all";
  d.storage = Storage::kFloat32;
  std::map<std::string, AsfSkeleton> skeletons;
  std::vector<std::string> dims;
  for (const MocapTrial& trial : trials) {
    auto sk = skeletons.find(trial.asf_path);
    if (sk == skeletons.end()) {
      ISOAE_ASSIGN_OR_RETURN(const std::string asf,
                             ReadFileBytes(trial.asf_path, kCmuProvider));
      ISOAE_ASSIGN_OR_RETURN(AsfSkeleton parsed, ParseAsf(asf, trial.asf_path));
      sk = skeletons.emplace(trial.asf_path, std::move(parsed)).first;
    }
    const std::vector<std::string> names =
        PoseDimensionNames(sk->second, options);
    if (dims.empty()) {
      dims = names;
    } else if (names != dims) {
      return absl::DataLossError(absl::StrCat(
          trial.asf_path, ": its pose has ", names.size(),
          " dimensions (", absl::StrJoin(names, ","), ") unlike the first "
          "skeleton's ", dims.size()));
    }
    ISOAE_ASSIGN_OR_RETURN(const std::string amc,
                           ReadFileBytes(trial.amc_path, kCmuProvider));
    int64_t frames = 0;
    ISOAE_ASSIGN_OR_RETURN(
        std::vector<float> values,
        ParseAmc(amc, trial.amc_path, sk->second, options, &frames));
    auto cls = std::find(d.class_names.begin(), d.class_names.end(),
                         trial.class_name);
    if (cls == d.class_names.end()) {
      d.class_names.push_back(trial.class_name);
      cls = d.class_names.end() - 1;
    }
    const int32_t label = static_cast<int32_t>(cls - d.class_names.begin());
    d.features.insert(d.features.end(), values.begin(), values.end());
    d.labels.insert(d.labels.end(), frames, label);
  }
  if (dims.empty()) {
    return absl::DataLossError(absl::StrCat(
        trial_list_path, ": the skeletons keep no degrees of freedom"));
  }
  d.item_shape = {static_cast<int64_t>(dims.size())};
  LOG(INFO) << "CMU mocap: " << trials.size() << " trials, " << d.size()
            << " frames, " << dims.size() << " dimensions, "
            << d.class_names.size() << " classes";
  return d;
}

}  // namespace isoae
