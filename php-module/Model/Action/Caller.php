<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Action;

use Magento\Authorization\Model\UserContextInterface;

/**
 * Who called the web API: recorded in the action log and never locked out by our own actions.
 */
final class Caller
{
    public function __construct(
        public readonly int $userType,
        public readonly int $userId
    ) {
    }

    public static function fromUserContext(UserContextInterface $userContext): self
    {
        return new self((int) $userContext->getUserType(), (int) $userContext->getUserId());
    }

    public function adminId(): ?int
    {
        return $this->userType === UserContextInterface::USER_TYPE_ADMIN && $this->userId > 0 ? $this->userId : null;
    }

    public function integrationId(): ?int
    {
        return $this->userType === UserContextInterface::USER_TYPE_INTEGRATION && $this->userId > 0
            ? $this->userId
            : null;
    }
}
