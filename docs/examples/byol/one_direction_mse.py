# One direction only, and a plain MSE on unnormalised vectors.
target = copy.deepcopy(online)
for x in loader:
    v1, v2 = t(x), t_prime(x)
    q1 = predictor(online(v1))
    with torch.no_grad():
        z2 = target(v2)
    loss = F.mse_loss(q1, z2)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    for p_t, p_o in zip(target.parameters(), online.parameters()):
        p_t.data = 0.99 * p_t.data + 0.01 * p_o.data
