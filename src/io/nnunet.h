#pragma once
// The nnU-Net (v2) raw dataset layout, how most segmentation datasets are shared:
// ROOT/dataset.json ({"channel_names": {"0": "ADC", …}, "file_ending": ".nii.gz"}),
// ROOT/imagesTr/<case>_<XXXX><ending> (XXXX: the channel number), ROOT/labelsTr/<case><ending>,
// and ROOT/imagesTs/ for cases without labels. Channels are matched to the six
// modalities by name (case-insensitive, in any order; others are ignored).
#include <string>

#include "io/isles.h"

namespace lrpseg {

// Whether `root` holds dataset.json and imagesTr/.
bool is_nnunet_dataset(const std::string& root);

// Every case of an nnU-Net raw dataset: imagesTr as training (labels required),
// imagesTs as test. A case's number for --cases is its identifier's trailing
// digits (BraTS_0017 → 17). Throws lrpseg::Error naming dataset.json or the
// case for a missing modality channel, channel file or label, or two cases
// with one number.
IslesDataset discover_nnunet(const std::string& root);

enum class DatasetLayout { Auto, Isles2017, NnUnet };
DatasetLayout parse_dataset_layout(const std::string& text);  // auto | isles2017 | nnunet

// The dataset at `root` in `layout`; Auto: nnU-Net when dataset.json and
// imagesTr/ are there, ISLES 2017 otherwise.
IslesDataset discover_dataset(const std::string& root, DatasetLayout layout = DatasetLayout::Auto);

}  // namespace lrpseg
