# The train loader of every data-free config: one placeholder item, cycled,
# only drives the loop (IterBasedTrainLoop; the algorithm synthesises its
# own batches). It is named `datafree_train_dataloader` because a dataset
# base beside it (for the real validation data) also sets
# `train_dataloader`; a config takes it as its loader with
# `train_dataloader = dict(_base_.datafree_train_dataloader, _delete_=True)`.
datafree_train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=1),
    sampler=dict(type='InfiniteSampler', shuffle=False))
