namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// Answers the hash of a perfect subtree: <paramref name="size"/> is a power of two and
/// <paramref name="start"/> a multiple of it (that is, node <see cref="NodeId.FromRange"/>(start, size)),
/// and the whole subtree lies inside the tree being asked about. A database answers it from stored
/// nodes, <see cref="MerkleTree"/> from memory; the algorithms of <see cref="MerkleMath"/> ask for
/// O(log n) of them and never for a partial subtree.
/// </summary>
public delegate Hash32 PerfectSubtreeHash(long start, long size);
