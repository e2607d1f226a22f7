// bazel run //irvae:cmu -- --data_dir=<CMU copy> --trial_list=<list>
//     [--flagfile=irvae/cmu_paper.flags] [flags]
//
// IRVAE section 5.1.2 (Figures 3 and 4, appendix D.2): MSE vs VoR / MCN
// tradeoff curves of VAE, FMVAE, IRVAE and IRVAE + FM on CMU motion capture
// (walking, jogging, balancing, punching; 50-D poses, FC 512 x 2 nets with a
// tanh output, latent 2), and latent figures with equidistance ellipses
// coloured by condition number (Fig. 4). The same loop as //irvae:mnist
// (irvae/mnist.h) on other data and networks. The CMU files are not on this
// machine: docs/datasets.md names the trials to download and the list format.
#include "irvae/tradeoff_main.h"

int main(int argc, char** argv) {
  isoae::TradeoffMainDefaults d;
  d.usage = "IRVAE Fig. 3/4: tradeoff curves and latent ellipses on CMU motion capture";
  d.figure = "Fig. 3";
  d.arch = "irvae_cmu_fc";
  d.dataset = "cmu_mocap";
  d.output_dir = "out/irvae_cmu";
  d.max_test_items = 2000;
  return isoae::RunTradeoffMain(d, argc, argv);
}
