# The target network is trained by the optimizer and never averaged.
target_net = copy.deepcopy(online_net)
optimizer = torch.optim.SGD(list(online_net.parameters()) + list(target_net.parameters()), lr=0.2)
for x in loader:
    v1, v2 = augment(x), augment(x)
    q1, q2 = predictor(online_net(v1)), predictor(online_net(v2))
    z1, z2 = target_net(v1), target_net(v2)
    loss = loss_fn(q1, z2) + loss_fn(q2, z1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

def loss_fn(x, y):
    return 2 - 2 * F.cosine_similarity(x, y, dim=-1).mean()
