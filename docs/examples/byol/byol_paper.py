# BYOL in the paper's notation: online f_theta with predictor q, target f_xi.
f_xi = copy.deepcopy(f_theta)
for x in loader:
    v, v_prime = t(x), t_prime(x)
    q1, q2 = q(f_theta(v)), q(f_theta(v_prime))
    z1, z2 = f_xi(v).detach(), f_xi(v_prime).detach()
    loss = regression_loss(q1, z2) + regression_loss(q2, z1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        for xi, theta in zip(f_xi.parameters(), f_theta.parameters()):
            xi.mul_(tau).add_((1 - tau) * theta)

def regression_loss(p, z):
    p = F.normalize(p, dim=-1)
    z = F.normalize(z, dim=-1)
    return 2 - 2 * (p * z).sum(dim=-1).mean()
