<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * One page of the manifest (path, size, mtime, ctime, SHA-256) of the store's code, in byte order of path.
 *
 * @api
 */
interface GetCodeManifestInterface
{
    /**
     * Runs the use case.
     *
     * @param string|null $after The next_cursor of the previous page (omitted = from the first file).
     * @param int $pageSize At most this many files (1-10000); a page also ends after a time budget.
     * @param int $changedSince Unix time: files whose mtime and ctime are both older are listed unhashed.
     * @return \MagentoIr\IncidentResponse\Api\Data\CodeManifestInterface
     * @throws \Magento\Framework\Exception\InputException
     */
    public function execute(
        ?string $after = null,
        int $pageSize = 1000,
        int $changedSince = 0
    ): \MagentoIr\IncidentResponse\Api\Data\CodeManifestInterface;
}
